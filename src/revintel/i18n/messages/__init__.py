"""The texts of each capability, one module per capability; see ``MESSAGE_MODULES``."""
