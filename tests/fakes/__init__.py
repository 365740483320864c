"""Loopback fakes of the services followthrough talks to (Jira Cloud and Data Center, GitHub).

Each fake is a real threaded HTTP server on 127.0.0.1 that keeps state, serves the
endpoints the real `jira` and `PyGithub` clients call with bodies shaped like the real
services' replies, counts requests by kind and can be told to misbehave.
"""

from .github_server import FakeGitHub
from .httpserver import Fault, FakeServer, Recorded
from .jira_server import FakeJira

__all__ = ["FakeGitHub", "FakeJira", "FakeServer", "Fault", "Recorded"]
