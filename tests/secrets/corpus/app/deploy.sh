#!/bin/sh
set -eu
export GITLAB_TOKEN=glpat-hFF7__ZQ5q_GuZY23fEw
curl --fail -H "PRIVATE-TOKEN: $GITLAB_TOKEN" https://gitlab.example.com/api/v4/projects
curl -H 'PRIVATE-TOKEN: glpat-AZdR5i097JBsfEP7a5As' https://gitlab.example.com/api/v4/user
