"""The trainers (``signstudio train``): one step / dev evaluation / keep-best loop (`loop`) shared."""
