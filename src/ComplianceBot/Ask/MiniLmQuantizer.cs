using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ComplianceBot.Ask;

/// <summary>
/// Turns MiniLM's fp32 ONNX graph into an int8-weight one in memory: every MatMul by a weight matrix becomes ONNX
/// Runtime's DynamicQuantizeMatMul (activations quantised per run, weights per column, symmetric), and the word-piece
/// embedding table is stored as int8 rows with a scale each (Gather, Cast, Mul by the gathered row scale). A question
/// then costs less than half the CPU and the session a quarter of the weight memory; vectors stay within ~0.99 cosine
/// of fp32 and the answer and intent evals decide whether that is good enough (README: Development).
/// We wrote our own because ONNX Runtime's quantiser is Python-only; OnnxSharp gives us ONNX's protobuf types.
/// </summary>
public static class MiniLmQuantizer
{
    private const string MicrosoftDomain = "com.microsoft";
    private const int Int8Max = 127;

    // Only the word-piece table (30,522 rows) is worth it; position and token-type tables are small.
    private const int MinEmbeddingRows = 10_000;

    public static byte[] Quantize(byte[] fp32Model)
    {
        var model = ModelProto.Parser.ParseFrom(fp32Model);
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var nodes = new List<NodeProto>(graph.Node.Count + 8);
        foreach (var node in graph.Node)
        {
            if (node.OpType == "MatMul" && IsFloatMatrix(initializers, node.Input[1], out var weights))
            {
                nodes.Add(QuantizedMatMul(node, weights, graph, initializers));
            }
            else if (node.OpType == "Gather" && IsFloatMatrix(initializers, node.Input[0], out var table) && table.Dims[0] >= MinEmbeddingRows)
            {
                nodes.AddRange(QuantizedGather(node, table, graph));
            }
            else
            {
                nodes.Add(node);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);

        // The fp32 originals are no longer read by any node; dropping them is where the memory goes down.
        var read = nodes.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var kept = graph.Initializer.Where(i => read.Contains(i.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(kept);
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return model.ToByteArray();
    }

    private static bool IsFloatMatrix(Dictionary<string, TensorProto> initializers, string name, out TensorProto tensor) =>
        initializers.TryGetValue(name, out tensor!)
        && tensor.Dims.Count == 2
        && tensor.DataType == (int)TensorProto.Types.DataType.Float
        && tensor.RawData.Length == tensor.Dims[0] * tensor.Dims[1] * sizeof(float);

    /// <summary>DynamicQuantizeMatMul(A, B int8 [K,N], scale [N]) computes A·B with B's columns scaled back.</summary>
    private static NodeProto QuantizedMatMul(NodeProto matMul, TensorProto weights, GraphProto graph, Dictionary<string, TensorProto> initializers)
    {
        var quantizedName = weights.Name + "_int8";
        var scaleName = weights.Name + "_int8_scale";
        if (!initializers.ContainsKey(quantizedName))
        {
            int rows = (int)weights.Dims[0], columns = (int)weights.Dims[1];
            var values = MemoryMarshal.Cast<byte, float>(weights.RawData.Span);
            var scales = new float[columns];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    scales[c] = Math.Max(scales[c], Math.Abs(values[(r * columns) + c]));
                }
            }

            for (var c = 0; c < columns; c++)
            {
                scales[c] = scales[c] == 0 ? 1 : scales[c] / Int8Max;
            }

            var quantized = new sbyte[rows * columns];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    quantized[(r * columns) + c] = ToInt8(values[(r * columns) + c], scales[c]);
                }
            }

            Add(graph, initializers, Tensor(quantizedName, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(quantized.AsSpan()), rows, columns));
            Add(graph, initializers, Tensor(scaleName, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), columns));
        }

        var node = Node(matMul.Name + "_int8", "DynamicQuantizeMatMul", [matMul.Input[0], quantizedName, scaleName], matMul.Output[0]);
        node.Domain = MicrosoftDomain;
        return node;
    }

    /// <summary>Gather(table int8 [R,D], ids) → float, times Gather(row scales [R,1], ids): the same rows as before.</summary>
    private static IEnumerable<NodeProto> QuantizedGather(NodeProto gather, TensorProto table, GraphProto graph)
    {
        int rows = (int)table.Dims[0], width = (int)table.Dims[1];
        var values = MemoryMarshal.Cast<byte, float>(table.RawData.Span);
        var scales = new float[rows];
        var quantized = new sbyte[rows * width];
        for (var r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            var largest = 0f;
            foreach (var v in row)
            {
                largest = Math.Max(largest, Math.Abs(v));
            }

            scales[r] = largest == 0 ? 1 : largest / Int8Max;
            for (var c = 0; c < width; c++)
            {
                quantized[(r * width) + c] = ToInt8(row[c], scales[r]);
            }
        }

        var quantizedTable = Tensor(table.Name + "_int8", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(quantized.AsSpan()), rows, width);
        var rowScales = Tensor(table.Name + "_int8_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), rows, 1);
        graph.Initializer.Add(quantizedTable);
        graph.Initializer.Add(rowScales);

        var ids = gather.Input[1];
        var output = gather.Output[0];
        var gatherRows = Node(gather.Name + "_int8", "Gather", [quantizedTable.Name, ids], output + "_int8");
        gatherRows.Attribute.AddRange(gather.Attribute);
        var toFloat = Node(gather.Name + "_float", "Cast", [output + "_int8"], output + "_unscaled");
        toFloat.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
        var gatherScales = Node(gather.Name + "_scale", "Gather", [rowScales.Name, ids], output + "_scale");
        gatherScales.Attribute.AddRange(gather.Attribute);
        var scale = Node(gather.Name + "_scaled", "Mul", [output + "_unscaled", output + "_scale"], output);
        return [gatherRows, toFloat, gatherScales, scale];
    }

    private static sbyte ToInt8(float value, float scale) => (sbyte)Math.Clamp(MathF.Round(value / scale), -Int8Max, Int8Max);

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static NodeProto Node(string name, string opType, string[] inputs, string output)
    {
        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static void Add(GraphProto graph, Dictionary<string, TensorProto> initializers, TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        initializers[tensor.Name] = tensor;
    }
}
