FROM gradle:8.8-jdk17
MAINTAINER platform-team@example.com
WORKDIR home/gradle/project
ADD build.gradle settings.gradle ./
ADD src src
RUN gradle build --no-daemon
ADD build/libs/service.jar /opt/service.jar
EXPOSE 8080
CMD ["java", "-jar", "/opt/service.jar"]
