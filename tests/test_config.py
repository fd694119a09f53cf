"""Secure Streamlit settings are set in the project's own config."""

import tomllib
from pathlib import Path

from gonmetrics import settings

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def test_secure_streamlit_settings():
    config = tomllib.loads(CONFIG.read_text())
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["enableStaticServing"] is False
    assert server["address"] == "127.0.0.1"  # local mode listens on loopback only
    assert server["maxUploadSize"] == settings.DEFAULT_MAX_UPLOAD_MB  # Streamlit's limit = the library's
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_streamlit_own_table_download_is_off():
    # st.dataframe's toolbar would write delivered names raw (formulas included); the
    # app's own downloads (gonmetrics.downloads) are the formula-safe way out.
    config = tomllib.loads(CONFIG.read_text())
    assert config["client"]["disableDataExport"] is True
