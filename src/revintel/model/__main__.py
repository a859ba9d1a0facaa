"""``python -m revintel.model`` prints the data-model reference page."""

from revintel.model._docs import render_data_model

print(render_data_model(), end="")
