"""GON monitor: the Streamlit entry point. A frame only: page set-up, login,
the menu for the user's role, and the demo data on an empty database."""

import streamlit as st

from gonmetrics import access
from pages import _ui
from pages._login import signed_in_user

st.set_page_config(page_title="GON monitor", page_icon=":material/monitoring:", layout="wide")

user = signed_in_user()  # renders the login page and stops when nobody is signed in
st.session_state[_ui.USER_KEY] = user
_ui.ensure_data()

menu = st.navigation(
    [st.Page(p.script, title=p.title, url_path=p.key, default=p.key == "overzicht") for p in access.pages_for(user.role)]
)
_ui.sidebar(user)
menu.run()
