"""The managers' desk (Mini App): the read models its screens show and the actions it offers.

Every figure comes from the queries behind /status, /kpi, /cases and /evidence;
every action goes through the same button use case as the chat, recorded the
same way. The HTTP side (``bot/desk``) only renders what these return.
"""
