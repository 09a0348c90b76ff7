"""Program 1 of the tutorial: a two-layer network trained with hand-written backprop on Tensors.

The program of a Chinese PyTorch tutorial notebook, "Variable变量 和 autograd机制" (Variables and
the autograd mechanism), copied verbatim but for its import lines (tests/test_examples.py checks
that against the tutorial's text when it is at hand). Its network and sizes (64 samples,
1000 -> 100 -> 10, ReLU, squared error) are those of the two-layer network in PyTorch's own
tutorial "Learning PyTorch with Examples" (Justin Johnson). Credit to both tutorials' authors.

Run: python3 examples/two_layer_manual.py
"""
import pyautograd as torch
# M是样本数量，input_size是输入层大小
# hidden_size是隐含层大小，output_size是输出层大小
M, input_size, hidden_size, output_size = 64, 1000, 100, 10

# 生成随机数当作样本
x = torch.randn(input_size, M) #size(1000, 64)
y = torch.randn(output_size, M) #size(10, 64)

# 参数初始化
def init_parameters():
    w1 = torch.randn(hidden_size, input_size)
    w2 = torch.randn(output_size, hidden_size)
    b1 = torch.randn(hidden_size, 1)
    b2 = torch.randn(output_size, 1)
    return {"w1": w1, "w2":w2, "b1": b1, "b2": b2}

# 定义模型
def model(x, parameters):
    Z1 = parameters["w1"].mm(x) #+ parameters["b1"] # 线性层
    A1 = Z1.clamp(min=0) # relu激活函数
    Z2 = parameters["w2"].mm(A1) #+ parameters["b2"] #线性层
    # 为了方便反向求导，我们会把当前求得的结果保存在一个cache中
    cache = {"Z1": Z1, "A1": A1}
    return Z2, cache

# 计算损失
def loss_fn(y, y_pred):
    m = y.size()[1] # m个样本
    loss = (y_pred - y).pow(2).sum() # 我们这里直接使用 MSE(均方误差) 作为损失函数
    return loss

# 反向传播，求出梯度
def backpropogation(x, y, y_pred, cache, parameters):
    m = y.size()[1] # m个样本
    # 以下是反向求导的过程：
    d_y_pred = 1/m * (y_pred - y)
    d_w2 = 1/m * d_y_pred.mm(cache["A1"].t())
    d_b2 = 1/m * torch.sum(d_y_pred, 1, keepdim=True)
    d_A1 = parameters["w2"].t().mm(d_y_pred)
    # 对 relu 函数求导: start
    d_Z1 = d_A1.clone()
    d_Z1[cache["Z1"] < 0] = 0
    # 对 relu 函数求导: end
    d_w1 = 1/m * d_Z1.mm(x.t())
    d_b1 = 1/m * torch.sum(d_Z1, 1, keepdim=True)
    grads = {
        "d_w1": d_w1, 
        "d_b1": d_b1, 
        "d_w2": d_w2, 
        "d_b2": d_b2
    }
    return grads

# 更新参数
def update(lr, parameters, grads):
    parameters["w1"] -= lr * grads["d_w1"]
    parameters["w2"] -= lr * grads["d_w2"]
    parameters["b1"] -= lr * grads["d_b1"]
    parameters["b2"] -= lr * grads["d_b2"]
    return parameters

## 设置超参数 ##

learning_rate = 1e-2
EPOCH = 400

# 参数初始化
parameters = init_parameters()

## 开始训练 ##
for t in range(EPOCH):    
    # 向前传播
    y_pred, cache = model(x, parameters)
    
    # 计算损失
    loss = loss_fn(y, y_pred)
    if (t+1) % 50 == 0:
        print(loss)
    # 反向传播
    grads = backpropogation(x, y, y_pred, cache, parameters)
    # 更新参数
    parameters = update(learning_rate, parameters, grads)

