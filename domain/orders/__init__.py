"""Orders (订单): life cycle and line arrival states."""
