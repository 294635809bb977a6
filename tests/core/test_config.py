from pathlib import Path

from kume.config import load_settings


def test_defaults_toml_env_and_overrides_layer_in_that_order(tmp_path, monkeypatch):
    config = tmp_path / "kume.toml"
    config.write_text(f'data_dir = "{tmp_path / "from-toml"}"\nbackend = "elasticsearch"\nindex_name = "news"\n')
    monkeypatch.setenv("KUME_CONFIG", str(config))
    monkeypatch.delenv("KUME_DATA_DIR", raising=False)

    settings = load_settings()
    assert settings.data_dir == tmp_path / "from-toml"
    assert settings.backend == "elasticsearch" and settings.index_name == "news"

    monkeypatch.setenv("KUME_INDEX_NAME", "from-env")
    assert load_settings().index_name == "from-env"

    assert load_settings(data_dir=tmp_path / "explicit", backend=None).data_dir == tmp_path / "explicit"


def test_all_state_lives_under_the_data_dir(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    assert settings.store_path.parent == tmp_path
    assert settings.embedded_index_path.parent == tmp_path


def test_per_user_default_data_dir(monkeypatch):
    monkeypatch.delenv("KUME_DATA_DIR", raising=False)
    monkeypatch.delenv("KUME_CONFIG", raising=False)
    monkeypatch.chdir(Path("/"))
    assert "kume" in str(load_settings().data_dir)
