"""Entry point: every sub-command registers itself here."""

from __future__ import annotations

import typer

from medcite.cli import ask_cmd, search_cmd, serve_cmd, stage_cmd
from medcite.cli.eval_cmd import eval_app
from medcite.cli.index_cmd import index_app
from medcite.cli.train_cmd import train_app

app = typer.Typer(help="medcite: cited answers from medical images, reports and guidelines.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
search_cmd.register(app)
serve_cmd.register(app)
ask_cmd.register(app)
stage_cmd.register(app)
