#!/bin/bash
mysqldump -u root --password=GXGn93bGCl3sGP7 shop > /backup/shop.sql
PGPASSWORD='kcWe8LBhtv#wsQP' pg_dump -h db shop > /backup/pg.sql
