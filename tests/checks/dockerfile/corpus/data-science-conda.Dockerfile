FROM continuumio/miniconda3
RUN apt-get update && apt-get dist-upgrade -y && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
RUN conda install -y numpy pandas scikit-learn && conda clean -afy
RUN pip install jupyterlab==4.2.3 mlflow
ENV JUPYTER_TOKEN=letmein-notebook-token
ENV TOKENIZERS_PARALLELISM=false
EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--allow-root"]
