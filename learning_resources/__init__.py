"""learning_resources."""
