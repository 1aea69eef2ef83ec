"""Evaluation runs as jobs on Redis (arq): the service queues, workers on any machine sharing the Redis execute."""
