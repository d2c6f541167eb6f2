"""Prevention alerts: texts to herders near a verified leopard attack, staff broadcasts to
an area, opt-out by SMS keyword, and how alerted villages fared afterwards."""
