"""Charts shared by the dashboard and the report: Plotly figures with the rows behind them.

Also the files a browser needs to draw them and to look like revintel: ``plotly.min.js`` from
the installed ``plotly`` package (never a CDN), ``charts.js`` and the stylesheet in
:data:`STATIC_DIR`.
"""

from revintel.charts._charts import STATIC_DIR, Chart, FanChart, plotly_js

__all__ = ["STATIC_DIR", "Chart", "FanChart", "plotly_js"]
