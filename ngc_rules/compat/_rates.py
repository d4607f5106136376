"""Learning rates the facades accept: a float, a schedule of the step, or a callable."""
from .. import schedules


def valid_learning_rate(learning_rate):
    """``learning_rate`` if it is a float, a schedule or a callable, else Keras' error."""
    if not (callable(learning_rate) or isinstance(learning_rate, float)):
        raise ValueError(
            "Argument `learning_rate` should be float, or an instance of "
            "LearningRateSchedule, or a callable (that takes in the current iteration "
            f"value and returns the corresponding learning rate value). Received "
            f"instead: learning_rate={learning_rate}")
    return learning_rate


def rate_at(learning_rate, iterations):
    """The rate at ``iterations``: a schedule is called with it, a callable with nothing."""
    if isinstance(learning_rate, schedules.LearningRateSchedule):
        return learning_rate(iterations)
    if callable(learning_rate):
        return float(learning_rate())
    return learning_rate


def learning_rate_config(learning_rate):
    """The rate as a config holds it: a schedule becomes its serialized dict."""
    if isinstance(learning_rate, schedules.LearningRateSchedule):
        return schedules.serialize(learning_rate)
    return learning_rate


def constructor_arguments(config):
    """A config's constructor arguments, with a serialized schedule rebuilt."""
    config = dict(config)
    if isinstance(config.get("learning_rate"), dict):
        config["learning_rate"] = schedules.deserialize(config["learning_rate"])
    return config
