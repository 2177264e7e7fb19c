"""rnnviz: train small recurrent networks and look inside them. This package never imports streamlit."""
