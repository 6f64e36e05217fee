"""No public /media/ route: customer files are served only through the portal token or a staff
session, so a file on disk is never reachable by its path."""

import pytest
from django.urls import Resolver404, resolve


@pytest.mark.parametrize("path", ["/media/", "/media/anything", "/media/photos/1/car.jpg"])
def test_media_paths_are_404_for_everyone(client, path, front_desk):
    with pytest.raises(Resolver404):
        resolve(path)
    assert client.get(path).status_code == 404
    client.force_login(front_desk)  # a staff session does not open a path either
    assert client.get(path).status_code == 404
