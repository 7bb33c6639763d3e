FROM opensuse/leap:15.6
RUN zypper --non-interactive refresh \
    && zypper --non-interactive install --no-recommends python311 python311-pip \
    && zypper clean --all
RUN zypper --non-interactive install -y curl
RUN useradd -u 1000 app
USER 1000
CMD ["python3.11", "-V"]
