FROM registry.access.redhat.com/ubi9/ubi:9.4
RUN dnf install -y --nogpgcheck python3.11 python3.11-pip gcc python3.11-devel
RUN rpm -ivh --nosignature https://example.com/rpms/agent-1.2.3-1.el9.x86_64.rpm
RUN microdnf install -y jq && microdnf clean all
USER 1001
CMD ["python3.11", "-m", "http.server", "8080"]
