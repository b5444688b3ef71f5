"""Optimization Playground: Streamlit entry point (text output until the live page lands)."""

import streamlit as st

st.set_page_config(page_title="Optimization Playground", layout="wide")
st.title("Optimization Playground")
if st.button("Run the seed lab"):
    from playground.presets import PRESETS
    from playground.train import Trainer

    trainer = Trainer(PRESETS["seed-lab"].config)
    lines = []
    trainer.run(callback=lambda t: t.current_epoch % 40 == 0 and lines.append(
        f"Epoch: {t.current_epoch}, Loss: {t.history.last('train_loss'):.4f}"))
    lines.append(f"Accuracy: {trainer.evaluate()['train']['accuracy']}")
    st.code("\n".join(lines))
