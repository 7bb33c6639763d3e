FROM ubuntu:22.04
ENV ROOT_PASSWORD=Sup3rS3cret!
RUN apt-get update && apt-get install -y openssh-server sudo && mkdir /var/run/sshd
RUN echo "root:${ROOT_PASSWORD}" | chpasswd \
    && sed -i 's/#PermitRootLogin prohibit-password/PermitRootLogin yes/' /etc/ssh/sshd_config
RUN useradd -m -s /bin/bash dev && echo "dev ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers
EXPOSE 22
CMD ["/usr/sbin/sshd", "-D"]
