FROM ubuntu
MAINTAINER ops@example.com
ARG GITHUB_TOKEN=ghp_exampleexampleexampleexample0000
ENV NODE_TLS_REJECT_UNAUTHORIZED=0 PYTHONHTTPSVERIFY=0
ENV GIT_SSL_NO_VERIFY=true
RUN apt-get update && apt-get upgrade -y && apt-get install -y --allow-unauthenticated curl wget python3-pip git
RUN curl -k https://internal.example.com/setup.sh -o /tmp/setup.sh && bash /tmp/setup.sh
RUN wget --no-check-certificate https://internal.example.com/tool.tgz -O /tmp/tool.tgz
RUN pip3 install --trusted-host pypi.example.com --index-url http://pypi.example.com/simple requests
RUN git -c http.sslVerify=false clone https://git.example.com/team/repo.git /opt/repo
RUN sudo chmod 4755 /opt/repo/bin/helper
WORKDIR opt/repo
USER root
CMD ["/opt/repo/start.sh"]
CMD ["/opt/repo/run.sh"]
ENTRYPOINT ["/bin/sh", "-c"]
