# Extra PyTorch 1.13 golden cases (composites, momentum, edge cases) for the engine tests.
# Run with Debian python3-torch 1.13.1: /usr/bin/python3 scripts/gen_torch_extra.py
import json, math, random
import torch
from torch.optim import SGD
import torch.optim.lr_scheduler as L
random.seed(1)
def mk(sched, params, base_lr, steps, children=None, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = SGD([p], lr=base_lr, momentum=0.9)
    if children:
        kids = [getattr(L, c['scheduler'])(opt, **c['params']) for c in children]
        if sched == 'SequentialLR': s = L.SequentialLR(opt, kids, **params)
        else: s = L.ChainedScheduler(kids)
    else:
        s = getattr(L, sched)(opt, **params)
    lrs, mom = [], []
    for t in range(steps):
        lrs.append(opt.param_groups[0]['lr']); mom.append(opt.param_groups[0]['momentum'])
        opt.step()
        if metrics is not None: s.step(metrics[t])
        else: s.step()
    c = dict(scheduler=sched, params=params, base_lr=base_lr, steps=steps, lr=lrs, momentum=mom)
    if children: c['children'] = children
    if metrics is not None: c['metrics'] = metrics
    return c
def metr(n):
    x=[]; v=2.0
    for i in range(n):
        v = v*0.98 + random.gauss(0,0.05)*(1 if i%40<25 else 3)
        x.append(v if i%13 else v+0.3)
    return x
cases=[]
A=cases.append
A(mk('StepLR',{'step_size':7,'gamma':0.5},0.3,50))
A(mk('MultiStepLR',{'milestones':[0,5,5,20],'gamma':0.3},0.2,40))
A(mk('MultiStepLR',{'milestones':[25,10],'gamma':0.5},0.2,40))
A(mk('ConstantLR',{},0.1,12))
A(mk('ConstantLR',{'factor':0.25,'total_iters':0},0.1,12))
A(mk('LinearLR',{},0.1,12))
A(mk('LinearLR',{'start_factor':1.0,'end_factor':0.0,'total_iters':20},0.1,30))
A(mk('PolynomialLR',{},0.1,12))
A(mk('PolynomialLR',{'total_iters':17,'power':0.5},0.1,30))
A(mk('CosineAnnealingLR',{'T_max':10},0.1,55))
A(mk('CosineAnnealingLR',{'T_max':1,'eta_min':0.01},0.1,10))
A(mk('CosineAnnealingWarmRestarts',{'T_0':7},0.1,50))
A(mk('CosineAnnealingWarmRestarts',{'T_0':3,'T_mult':3,'eta_min':0.001},0.1,60))
A(mk('CyclicLR',{'base_lr':0.01,'max_lr':0.1,'step_size_up':5,'step_size_down':3,'mode':'triangular2'},0.1,50))
A(mk('CyclicLR',{'base_lr':0.01,'max_lr':0.1,'step_size_up':4,'mode':'exp_range','gamma':0.97},0.1,50))
A(mk('CyclicLR',{'base_lr':0.01,'max_lr':0.1,'step_size_up':4},0.1,30))
A(mk('OneCycleLR',{'max_lr':0.5,'total_steps':37,'three_phase':True},0.1,37))
A(mk('OneCycleLR',{'max_lr':0.5,'epochs':3,'steps_per_epoch':11,'anneal_strategy':'linear','pct_start':0.25},0.1,33))
A(mk('OneCycleLR',{'max_lr':0.5,'total_steps':40,'cycle_momentum':False, 'three_phase':True,'anneal_strategy':'linear'},0.1,40))
A(mk('ExponentialLR',{'gamma':0.9},0.1,30))
A(mk('ReduceLROnPlateau',{'mode':'max','factor':0.5,'patience':2,'threshold':0.01,'threshold_mode':'abs','cooldown':3,'min_lr':0.001},0.1,150,metrics=[-m for m in metr(150)]))
A(mk('ReduceLROnPlateau',{'patience':0,'factor':0.9,'eps':0.01},0.1,150,metrics=metr(150)))
A(mk('SequentialLR',{'milestones':[5,12]},0.1,40,children=[{'scheduler':'ConstantLR','params':{'factor':0.1,'total_iters':10}},{'scheduler':'ExponentialLR','params':{'gamma':0.9}},{'scheduler':'StepLR','params':{'step_size':4,'gamma':0.5}}]))
A(mk('SequentialLR',{'milestones':[6]},0.1,40,children=[{'scheduler':'LinearLR','params':{'start_factor':0.1,'total_iters':6}},{'scheduler':'CosineAnnealingWarmRestarts','params':{'T_0':8,'T_mult':2}}]))
A(mk('SequentialLR',{'milestones':[6]},0.1,40,children=[{'scheduler':'ExponentialLR','params':{'gamma':0.8}},{'scheduler':'CosineAnnealingLR','params':{'T_max':10,'eta_min':0.01}}]))
A(mk('SequentialLR',{'milestones':[10]},0.1,40,children=[{'scheduler':'CyclicLR','params':{'base_lr':0.01,'max_lr':0.1,'step_size_up':3,'cycle_momentum':False}},{'scheduler':'PolynomialLR','params':{'total_iters':20,'power':2.0}}]))
A(mk('SequentialLR',{'milestones':[10]},0.1,40,children=[{'scheduler':'ExponentialLR','params':{'gamma':0.8}},{'scheduler':'OneCycleLR','params':{'max_lr':0.3,'total_steps':40}}]))
A(mk('SequentialLR',{'milestones':[8]},0.1,40,children=[{'scheduler':'MultiStepLR','params':{'milestones':[2,4],'gamma':0.5}},{'scheduler':'LinearLR','params':{'start_factor':0.5,'total_iters':10}}]))
A(mk('ChainedScheduler',{},1.0,30,children=[{'scheduler':'ConstantLR','params':{'factor':0.1,'total_iters':2}},{'scheduler':'ExponentialLR','params':{'gamma':0.9}}]))
A(mk('ChainedScheduler',{},0.1,60,children=[{'scheduler':'LinearLR','params':{'start_factor':0.2,'total_iters':8}},{'scheduler':'CosineAnnealingLR','params':{'T_max':20}}]))
A(mk('ChainedScheduler',{},0.1,60,children=[{'scheduler':'StepLR','params':{'step_size':9,'gamma':0.7}},{'scheduler':'CosineAnnealingWarmRestarts','params':{'T_0':10}}]))
A(mk('ChainedScheduler',{},0.1,60,children=[{'scheduler':'CyclicLR','params':{'base_lr':0.01,'max_lr':0.1,'step_size_up':5}},{'scheduler':'ExponentialLR','params':{'gamma':0.99}}]))
for i,c in enumerate(cases): c['id']=f"torch-extra-{i:02d}-{c['scheduler']}"
json.dump({'cases':cases}, open('src/engine/__fixtures__/torch_extra.json','w'))
print(len(cases))
