from workers.app import QUEUES, ROUTES, celery


def test_every_task_of_ours_has_a_route_to_a_known_queue():
    celery.loader.import_default_modules()
    ours = [name for name in celery.tasks if not name.startswith("celery.")]
    assert all(name in ROUTES for name in ours), [name for name in ours if name not in ROUTES]
    assert all(route["queue"] in QUEUES for route in ROUTES.values())
