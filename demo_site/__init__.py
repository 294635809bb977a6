"""The bundled demo site: fictional chamber, exporters' association and ministry news served on 127.0.0.1."""
