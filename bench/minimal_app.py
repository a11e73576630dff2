"""The baseline: the smallest Flask page, served the same way as the application."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "<!doctype html><title>ok</title><p>ok</p>"
