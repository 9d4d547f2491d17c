"""A task acknowledging its message after the broker connection was lost (workers/consumer.py)."""

import logging
import os

import kombu
import pytest

from tests.support import REDIS_URL
from workers.consumer import tolerated_errors


@pytest.fixture
def received():
    """A message received unacknowledged from Redis, on a channel whose transport then went away the way
    a lost connection leaves it (the state of the traceback the fault test saw: no connection, no pool)."""
    queue = kombu.Queue(f"consumer-acks-{os.getpid()}", routing_key=f"consumer-acks-{os.getpid()}")
    with kombu.Connection(REDIS_URL) as connection:
        with connection.Producer() as producer:
            producer.publish({"task": "probe"}, routing_key=queue.routing_key, declare=[queue])
        channel = connection.channel()
        message = queue(channel).get(no_ack=False)
        assert message is not None
        errors = connection.connection_errors
        channel.connection, channel._pool = None, None
        yield message, errors
        channel.qos.restore_at_shutdown = False  # its transport is gone: nothing to give back at exit
        with kombu.Connection(REDIS_URL) as cleanup:
            queue(cleanup.channel()).delete()


def test_kombu_raises_attribute_error_when_a_dead_channel_acknowledges(received):
    message, errors = received
    with pytest.raises(AttributeError):
        message.ack_log_error(logging.getLogger(__name__), errors)


def test_the_worker_logs_that_acknowledgement_instead_of_exiting(received, caplog):
    message, errors = received
    message.ack_log_error(logging.getLogger(__name__), tolerated_errors(errors))
    assert "Couldn't ack" in caplog.text
