"""Program 2 of the tutorial: the two-layer network trained with Variables and autograd.

The program of a Chinese PyTorch tutorial notebook, "Variable变量 和 autograd机制" (Variables and
the autograd mechanism), copied verbatim but for its import lines (tests/test_examples.py checks
that against the tutorial's text when it is at hand). Its network and sizes (64 samples,
1000 -> 100 -> 10, ReLU, squared error) are those of the two-layer network in PyTorch's own
tutorial "Learning PyTorch with Examples" (Justin Johnson). Credit to both tutorials' authors.

Run: python3 examples/two_layer_autograd.py
"""
import pyautograd as torch
from pyautograd.autograd import Variable  # 导入 Variable 对象

# M是样本数量，input_size是输入层大小
# hidden_size是隐含层大小，output_size是输出层大小
M, input_size, hidden_size, output_size = 64, 1000, 100, 10

# 生成随机数当作样本，同时用Variable 来包装这些数据，设置 requires_grad=False 表示在方向传播的时候，我们不需要求这几个 Variable 的导数
x = Variable(torch.randn(input_size, M), requires_grad=False)
y = Variable(torch.randn(output_size, M), requires_grad=False)

# 参数初始化，同时用Variable 来包装这些数据，设置 requires_grad=True 表示在方向传播的时候，我们需要自动求这几个 Variable 的导数
def init_parameters():
    w1 = Variable(torch.randn(hidden_size, input_size), requires_grad=True)
    w2 = Variable(torch.randn(output_size, hidden_size), requires_grad=True)
    b1 = Variable(torch.randn(hidden_size, 1), requires_grad=True)
    b2 = Variable(torch.randn(output_size, 1), requires_grad=True)
    return {"w1": w1, "w2":w2, "b1": b1, "b2": b2}

# 向前传播
def model(x, parameters):
    Z1 = parameters["w1"].mm(x) + parameters["b1"] # 线性层
    A1 = Z1.clamp(min=0) # relu激活函数
    Z2 = parameters["w2"].mm(A1) + parameters["b2"] #线性层
    return Z2

# 计算损失
def loss_fn(y, y_pred):
    m = y.size()[1] # m个样本
    loss = (y_pred - y).pow(2).sum() # 我们这里直接使用 MSE(均方误差) 作为损失函数
    return loss

## 设置超参数 ##
learning_rate = 1e-6
EPOCH = 300

# 参数初始化
parameters = init_parameters()

## 开始训练 ##
for t in range(EPOCH):    
    # 向前传播
    y_pred= model(x, parameters)
    # 计算损失
    loss = loss_fn(y, y_pred)
    # 计算和打印都是在 Variables 上进行操作的，这时候的 loss 时一个 Variable ，它的size() 是 (1,)，所以 loss.data 的size() 也是 (1,)
    # 所以， loss.data[0] 才是一个实值
    if (t+1) % 50 == 0:
        print(loss.data[0])
    # 使用自动求导来计算反向传播过程中的梯度，这个方法会把所有的设置了requires_grad=True 的Variable 对象的梯度全部自动出来
    # 在这里，就是求出了 w1, w2, b1, b2的梯度
    loss.backward()
    
    # 更新参数， .data 表示的都是Tensor
    parameters["w1"].data -= learning_rate * parameters["w1"].grad.data
    parameters["w2"].data -= learning_rate * parameters["w2"].grad.data
    parameters["b1"].data -= learning_rate * parameters["b1"].grad.data
    parameters["b2"].data -= learning_rate * parameters["b2"].grad.data
    
    # 由于PyTorch中的梯度是会累加的，所以如果你没有手动清空梯度，那么下次你家的grad就是这次和上次的grad的累加和。
    # 所以，为了每次都只是使用当前的梯度，我们需要手动清空梯度
    parameters["w1"].grad.data.zero_()
    parameters["w2"].grad.data.zero_()
    parameters["b1"].grad.data.zero_()
    parameters["b2"].grad.data.zero_()

