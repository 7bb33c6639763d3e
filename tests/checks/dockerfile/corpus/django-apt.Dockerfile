FROM python:3.10
ENV DJANGO_SECRET_KEY=django-insecure-7f#k2l@x9q!m3v$0b1n5c8z
ENV DJANGO_SETTINGS_MODULE=mysite.settings.production
RUN apt-get update && apt-get install -y gcc libpq-dev postgresql-client
RUN mkdir /code
WORKDIR /code
ADD requirements.txt /code/
RUN pip install --upgrade pip && pip install -r requirements.txt
ADD . /code/
RUN python manage.py collectstatic --noinput
EXPOSE 8000
CMD gunicorn mysite.wsgi:application --bind 0.0.0.0:8000
