"""Facades with the seed libraries' own class names, arguments and defaults, running on
ngc_rules' kernels. Variables are NumPy arrays (or device arrays), updated in place.

- :class:`ngc_rules.compat.keras.Adam` — ``keras.optimizers.Adam`` (Keras 3).
"""
