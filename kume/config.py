"""Configuration: defaults < TOML file < `KUME_*` environment variables < explicit arguments.

All state lives under one data directory: the document store, the embedded
search index and anything else a stage keeps between runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "KUME_CONFIG"


def default_data_dir() -> Path:
    return Path(user_data_dir("kume", appauthor=False))


def default_config_file() -> Path | None:
    """The TOML file named by KUME_CONFIG, else `kume.toml` in the current directory if present."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    local = Path("kume.toml")
    return local if local.is_file() else None


class Settings(BaseSettings):
    """kume's settings. Every field can be set in the TOML file or as KUME_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="KUME_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the store and index live.")
    backend: Literal["embedded", "elasticsearch", "opensearch"] = "embedded"
    search_url: str = Field(default="http://127.0.0.1:9200", description="Elasticsearch/OpenSearch URL.")
    index_name: str = Field(default="kume", description="Alias the search cluster serves queries from.")
    user_agent: str = "kume/0.1 (+https://github.com/kume-project/kume; cluster-news research crawler)"
    api_key: SecretStr | None = Field(default=None, description="Key for the API's write endpoints.")
    read_api_key: SecretStr | None = Field(default=None, description="If set, read endpoints need it too.")
    ner_model: Path | None = Field(default=None, description="Local Hugging Face token-classification model.")
    turkish_ner: Literal["cnn", "e5"] = Field(
        default="e5",
        description="The Turkish NER when no ner_model is set: multilingual-e5-small under onnxruntime "
        "(models/tr_kume_e5_ner, nlp/configs/tr-e5.cfg; better organisations on both folds of the dev gold) or the "
        "CNN pipeline (models/tr_kume_ner, nlp/configs/tr.cfg; the whole pipeline about 2.5 times faster).",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins (e.g. https://dash.example.org) whose pages may call the API."
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, description="Attempts of a webhook delivery before it is given up."
    )
    webhook_retry_seconds: float = Field(
        default=30.0, gt=0, description="Wait before a webhook's second attempt; doubled for each one after."
    )
    webhook_poll_seconds: float = Field(default=5.0, gt=0, description="How often the server sends due webhooks.")
    allow_private_addresses: bool = Field(
        default=False,
        description="Let URLs the server requests itself (ingest by URL, webhooks) be private, loopback or "
        "link-local addresses (sites on 127.0.0.1, closed networks).",
    )
    rate_limit_per_minute: int = Field(
        default=0, ge=0, description="Requests a key (or a client without one) may make a minute; 0: no limit."
    )
    revisit_after_days: float = Field(
        default=7.0, ge=0, description="Age at which a crawl fetches again a page whose server sent no validators."
    )

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite3"

    @property
    def embedded_index_path(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = default_config_file()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and config file, with explicit (non-None) overrides on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
