"""Facades with the seed libraries' own class names, arguments and defaults, running on
ngc_rules' kernels. Variables are NumPy arrays (or device arrays), updated in place.

- :class:`ngc_rules.compat.keras.Adam` — ``keras.optimizers.Adam`` (Keras 3).
- :class:`ngc_rules.compat.tf_keras.Adam` — ``tf.keras.optimizers.Adam`` (TensorFlow 2),
  with :class:`~ngc_rules.IndexedSlices` gradients.
- :class:`ngc_rules.compat.openfl.NumPyAdam` — OpenFL's NumPy Adam over a dict.
- :class:`ngc_rules.compat.neon.Adam` — neon's Adam, ``optimize(param_list, epoch)``.
"""
