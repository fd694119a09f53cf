"""The anchor of the browser rows (bench/browser.py): the smallest Streamlit page with one Plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.title("Anker")
st.plotly_chart(go.Figure(go.Bar(x=["K1", "K2", "K3", "K4"], y=[1, 3, 2, 4])))
