"""The learned image-question answerer: training, the saved artifact, and answering with abstention."""
