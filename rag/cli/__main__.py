from rag.cli.main import app

app(prog_name="medcite")
