"""The floor for bench_browser: a bare Streamlit page with a title and one Plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(36)), y=[i % 7 for i in range(36)])))
