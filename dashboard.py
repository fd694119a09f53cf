"""GON-monitor: the Streamlit entry point. A frame only: page set-up, login,
the menu for the user's role, and the demo data on an empty database."""

import streamlit as st

from gonmetrics import access
from pages import _ui
from pages._login import signed_in_user

st.set_page_config(page_title="GON-monitor", page_icon=":material/monitoring:", layout="wide")
# Streamlit serves its shell as <html lang="en"> and has no setting for it (upstream issue
# streamlit#15726); screen readers need the page's language (WCAG 3.1.1).
st.html("<script>document.documentElement.lang = 'nl';</script>", unsafe_allow_javascript=True)

user = signed_in_user()  # renders the login page and stops when nobody is signed in
st.session_state[_ui.USER_KEY] = user
_ui.begin_run()

# Every page has its URL, so that one opened by a role that may not see it reaches the
# page's guard, which refuses it and logs that. The menu (_ui.sidebar) lists only the
# role's pages; Streamlit's own menu is off (.streamlit/config.toml), because it would
# list the files of pages/ to the first visitor after a start, before the frame has run.
pages = _ui.streamlit_pages(access.PAGES)
current = st.navigation(pages, position="hidden")
_ui.sidebar(user, [page for page, spec in zip(pages, access.PAGES) if access.allowed(user.role, spec.key)])
current.run()
