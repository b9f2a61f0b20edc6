using ComplianceBot.Channels;
using Microsoft.AspNetCore.Http;

namespace ComplianceBot.Tests.Channels;

/// <summary>The capped body read Slack and Teams share, with and without a Content-Length (a chunked upload).</summary>
public sealed class RequestBodyTests
{
    private const int Cap = 64 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyUpToTheCapIsReadWhole(bool declaresItsLength)
    {
        var bytes = Enumerable.Range(0, Cap).Select(i => (byte)i).ToArray();

        var read = await RequestBody.ReadCappedAsync(Request(bytes, declaresItsLength), Cap, CancellationToken.None);

        Assert.Equal(bytes, read);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyOverTheCapIsRefused(bool declaresItsLength)
    {
        var read = await RequestBody.ReadCappedAsync(Request(new byte[Cap + 1], declaresItsLength), Cap, CancellationToken.None);

        Assert.Null(read);
    }

    [Fact]
    public async Task AnEmptyChunkedBodyIsEmpty()
    {
        Assert.Empty((await RequestBody.ReadCappedAsync(Request([], declaresItsLength: false), Cap, CancellationToken.None))!);
    }

    [Fact]
    public async Task ADeclaredLengthOverTheCapIsRefusedWithoutReadingTheBody()
    {
        var request = Request([], declaresItsLength: false);
        request.ContentLength = Cap + 1L;
        request.Body = new UnreadableStream();

        Assert.Null(await RequestBody.ReadCappedAsync(request, Cap, CancellationToken.None));
    }

    private static HttpRequest Request(byte[] body, bool declaresItsLength)
    {
        var request = new DefaultHttpContext().Request;
        // Small reads, as a socket delivers a chunked upload.
        request.Body = new BufferedStream(new MemoryStream(body), 1000);
        request.ContentLength = declaresItsLength ? body.Length : null;
        return request;
    }

    private sealed class UnreadableStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("read");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new InvalidOperationException("read");
    }
}
