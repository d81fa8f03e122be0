"""The chatbot tests use `nlu_model` and `parcel` from tests/conftest.py."""
