"""The access-as-code model: configuration, compiler to desired state, diff into a plan."""
