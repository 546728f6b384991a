"""Layout tables shipped as data (``holistic.json``) and the script that makes them."""
