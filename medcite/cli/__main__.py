from medcite.cli.main import app

app(prog_name="medcite")
