FROM golang:latest
RUN apt-get update && apt-get install -y git make
WORKDIR /go/src/app
COPY . .
RUN go get -d -v ./... && go install -v ./...
RUN make build
CMD ["app"]
