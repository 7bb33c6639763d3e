FROM centos:7.9.2009
RUN yum install -y epel-release-7-14 nginx-1.20.1-10.el7 \
    && yum clean all \
    && rm -rf /var/cache/yum
RUN yum -y install httpd-tools
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 80
STOPSIGNAL SIGQUIT
USER nginx
CMD ["nginx", "-g", "daemon off;"]
