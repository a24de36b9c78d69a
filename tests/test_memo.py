from moderation.memo import BoundedMemo


def test_computes_each_key_once_and_stays_bounded():
    calls = []

    def square(n):
        calls.append(n)
        return n * n

    memo = BoundedMemo(square, max_size=3)
    assert [memo[n] for n in (2, 3, 2, 2, 3)] == [4, 9, 4, 4, 9]
    assert calls == [2, 3]
    for n in range(10):
        assert memo[n] == n * n
        assert len(memo) <= 3
    assert list(map(memo.__getitem__, [9, 9])) == [81, 81]
