namespace ComplianceBot.Ask;

/// <summary>A small thread-safe least-recently-used cache. The value factory runs outside the lock (two racing misses both compute; one wins).</summary>
public sealed class LruCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _map = [];
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _map.Count;
            }
        }
    }

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> factory)
    {
        if (capacity <= 0)
        {
            return factory(key);
        }

        lock (_gate)
        {
            if (_map.TryGetValue(key, out var hit))
            {
                _order.Remove(hit);
                _order.AddFirst(hit);
                return hit.Value.Value;
            }
        }

        var value = factory(key);
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var raced))
            {
                return raced.Value.Value;
            }

            _map[key] = _order.AddFirst((key, value));
            if (_map.Count > capacity && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _map.Remove(oldest.Value.Key);
            }

            return value;
        }
    }
}
