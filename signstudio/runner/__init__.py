"""Qt-free inference service: request -> response, model loading, device choice, cancel."""
