"""The pool's listeners: one per host, all on one port (``HOST_IS_SLAVE`` names only an address, so
clients keep their port): the first master on 127.0.0.1 (``xenserver-master``), members on 127.0.0.2,
127.0.0.3... (``xenserver-member<N>``). Which one serves the pool follows the master."""


class PoolListeners:
    """``by_name``: the pool's listeners by name; ``by_host``: by host index; ``master``: the listener of
    the current master (None until :meth:`open`)."""

    def __init__(self, sim):
        self.sim = sim
        self.by_name = {}
        self.by_host = []
        self.master = None

    def open(self, member_addresses, master_index):
        """Open the master on 127.0.0.1 and every member on its own loopback address, on one free port."""
        for _attempt in range(50):
            opened = []
            try:
                master = self.sim.listen('xenserver-master', host='127.0.0.1', port=0)
                opened.append(master)
                for i, address in enumerate(member_addresses, 1):
                    opened.append(self.sim.listen('xenserver-member%d' % i, host=address, port=master.port))
            except OSError:
                for listener in opened:
                    listener.server.shutdown()
                    listener.server.server_close()
                    self.sim.listeners.pop(listener.name, None)
                continue
            self.by_name = {listener.name: listener for listener in opened}
            self.by_host = opened
            self.master = opened[master_index]
            return
        raise RuntimeError('could not open the XenServer pool listeners on one port')

    def serves(self, name):
        return name in self.by_name

    def set_master(self, index):
        if self.by_host:
            self.master = self.by_host[index]

    def member_url(self, index=1):
        return self.by_name['xenserver-member%d' % index].url
