from kume_cli.main import app

app(prog_name="kume")
