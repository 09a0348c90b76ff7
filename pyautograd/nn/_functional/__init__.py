"""The implementation modules of pyautograd.nn.functional."""
